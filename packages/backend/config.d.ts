export interface Config {
  paved?: {
    /**
     * Settings this deployment cannot run without. The backend refuses to start, naming each
     * missing key and the environment variable it comes from.
     */
    requiredConfig?: Array<{
      /** Dotted config key, e.g. backend.database.connection.host */
      key: string;
      /** Environment variable the key is read from, shown in the error */
      env?: string;
    }>;
  };
}
