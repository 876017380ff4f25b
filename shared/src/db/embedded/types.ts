export type Progress = (message: string) => void;

export interface EmbeddedDatabase {
  kind: 'external' | 'mongod' | 'ferretdb';
  uri: string;
  description: string;
  /** The database server's process, when this process started it (benchmarks read its CPU time). */
  pid?: number;
  stop: () => Promise<void>;
}
