export interface Config {
  /** Paved's audit log: which auditor events are stored, and for how long. */
  auditLog?: {
    store?: {
      /**
       * Events at or above this severity are stored; permission denials are stored at any
       * severity. Defaults to `medium`.
       */
      minSeverity?: 'low' | 'medium' | 'high' | 'critical';
      /**
       * Events held in memory while waiting for the database; beyond this, new events are not
       * stored (and a warning says how many). Defaults to 10000.
       */
      maxBufferedEvents?: number;
    };
    /**
     * How long events are kept, as an ISO 8601 duration (`P90D`) or an object
     * (`{ days: 90 }`). Older events are deleted hourly. Defaults to 90 days.
     */
    retention?: string | { [unit: string]: number };
  };
}
