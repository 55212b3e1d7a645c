export interface Config {
  paved?: {
    /** Who may do what beyond what everyone signed in may (plugins/permission-backend-module-policy). */
    permissions?: {
      /** Groups whose members may do everything, e.g. `group:default/team-platform`. */
      admins?: string[];
      /** Groups whose members approve production requests, e.g. `group:default/team-sre`. */
      approvers?: string[];
      /**
       * Argo CD AppProject role names whose groups own the project's Applications and so read
       * their unredacted manifests. Defaults to `[owner]`.
       */
      argocdOwnerRoles?: string[];
    };
  };
}
