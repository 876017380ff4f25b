import type { TemplateView } from './schemas.js';

export const STANDARD_TEMPLATE_ID = 'standard';

/**
 * The built-in standard agenda: the same seven items every week, 60 minutes in all. It is not
 * stored; every organization sees it and a series without a choice uses it.
 */
export const standardTemplate: TemplateView = {
  id: STANDARD_TEMPLATE_ID,
  name: 'Standard one-on-one',
  builtIn: true,
  version: 1,
  durationMinutes: 60,
  items: [
    { id: 'i1', title: 'Homework review', guidance: 'What was due since last time', minutes: 5 },
    { id: 'i2', title: 'Pipeline', guidance: 'New, advanced and stalled opportunities', minutes: 15 },
    {
      id: 'i3',
      title: 'Forecast',
      guidance: 'Changes since last week and the validity of each forecasted account',
      minutes: 10,
    },
    {
      id: 'i4',
      title: 'Activity trends',
      guidance: 'Calls, meetings, deals closed, sales calls per deal closed',
      minutes: 10,
    },
    { id: 'i5', title: 'Territory time', guidance: 'How the week’s time was spent across accounts', minutes: 5 },
    { id: 'i6', title: 'Coaching and development', guidance: 'One skill, one example', minutes: 10 },
    { id: 'i7', title: 'New homework', guidance: 'What is due before next time', minutes: 5 },
  ],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
