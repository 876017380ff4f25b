export type Progress = (message: string) => void;

export interface EmbeddedDatabase {
  kind: 'external' | 'mongod' | 'ferretdb';
  uri: string;
  description: string;
  stop: () => Promise<void>;
}
