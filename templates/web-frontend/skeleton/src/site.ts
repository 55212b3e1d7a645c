/** Facts about this app that the pages show; filled in when the repository was generated. */
export const site = {
  name: ${{ values.name | dump }},
  description: ${{ values.description | default("") | dump }},
  owner: ${{ values.owner | dump }},
  system: ${{ values.system | dump }},
  repositoryUrl: ${{ values.repoWebUrl | dump }},
};
