export {
  badRequest,
  conflict,
  fieldErrorSchema,
  HttpProblem,
  notFound,
  PROBLEM_CONTENT_TYPE,
  problemSchema,
  problemTypes,
  unavailable,
  type FieldError,
  type Problem,
} from './http/problem.js';
export { fieldErrorsFromZod, problemFromZod } from './http/zod-problem.js';
export { validate, validInput, type RequestSchemas, type ValidInput } from './http/validate.js';
export {
  errorHandler,
  isDatabaseUnavailableError,
  isDuplicateKeyError,
  notFoundHandler,
  sendProblem,
  toProblem,
} from './http/errors.js';
export { healthRoutes, type HealthOptions } from './http/health.js';
export { createMetricsRegistry, httpMetrics, metricsEndpoint, type MetricsRegistry } from './http/metrics.js';
export { loggablePath, requestContext } from './http/request-context.js';
export { createServiceApp, finishServiceApp, type ServiceAppOptions } from './http/service-app.js';
export { startServer, type RunningServer } from './http/server.js';
export {
  ApiRouter,
  createOpenApiRegistry,
  openApiDocument,
  z,
  type ResponseSpec,
  type RouteHandler,
  type RouteSpec,
} from './http/api-router.js';
export { decodeCursor, pageOf, pageQuery, pageSchema } from './http/pagination.js';
