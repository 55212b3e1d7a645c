import { SidebarItem } from '@backstage/core-components';
import {
  identityApiRef,
  ProfileInfo,
  useApi,
} from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import ExitToAppIcon from '@material-ui/icons/ExitToApp';
import PersonIcon from '@material-ui/icons/Person';
import { useEffect, useState } from 'react';

/** Who is signed in (name, or the user's ref for the guest) and the way out. */
export function SignedInUser() {
  const identityApi = useApi(identityApiRef);
  const [value, setValue] = useState<{
    profile: ProfileInfo;
    userEntityRef: string;
  }>();
  useEffect(() => {
    Promise.all([
      identityApi.getProfileInfo(),
      identityApi.getBackstageIdentity(),
    ]).then(
      ([profile, identity]) =>
        setValue({ profile, userEntityRef: identity.userEntityRef }),
      () => setValue(undefined),
    );
  }, [identityApi]);

  const name = value ? displayName(value.profile, value.userEntityRef) : '';
  return (
    <>
      <SidebarItem
        icon={PersonIcon}
        to={value ? entityPath(value.userEntityRef) : '/settings'}
        text={name ? `Signed in as ${name}` : 'Signed in'}
      />
      <SidebarItem
        icon={ExitToAppIcon}
        text="Sign out"
        onClick={() => identityApi.signOut()}
      />
    </>
  );
}

function displayName(profile: ProfileInfo, userEntityRef: string) {
  return profile.displayName ?? parseEntityRef(userEntityRef).name;
}

function entityPath(userEntityRef: string) {
  const { kind, namespace, name } = parseEntityRef(userEntityRef);
  return `/catalog/${namespace}/${kind.toLocaleLowerCase('en-US')}/${name}`;
}
