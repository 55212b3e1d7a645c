import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  IdentityApi,
  identityApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import { CatalogApi, catalogApiRef } from '@backstage/plugin-catalog-react';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { Autocomplete } from '@material-ui/lab';
import { useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';

interface EntityOption {
  ref: string;
  title?: string;
}

/** Components and systems owned by the signed-in user's teams, or the user. */
async function loadOwnedEntities(
  catalogApi: CatalogApi,
  identityApi: IdentityApi,
): Promise<EntityOption[]> {
  const { ownershipEntityRefs } = await identityApi.getBackstageIdentity();
  const { items } = await catalogApi.getEntities({
    filter: {
      kind: ['Component', 'System'],
      'relations.ownedBy': ownershipEntityRefs,
    },
    fields: ['kind', 'metadata.namespace', 'metadata.name', 'metadata.title'],
  });
  return items
    .map((entity: Entity) => ({
      ref: stringifyEntityRef(entity),
      title: entity.metadata.title,
    }))
    .sort((a, b) => a.ref.localeCompare(b.ref));
}

/**
 * The catalog entity the infrastructure is for, chosen among those the user's teams own and
 * shown by its ref (`component:default/payments-service`). A preselected entity stays
 * selectable even when it is not among them: the server decides whether it may be used.
 */
export function EntityPicker(props: {
  value: string | null;
  onChange: (entityRef: string | null) => void;
  error?: string;
  /** Fixed, e.g. when changing a live resource of the entity. */
  disabled?: boolean;
}) {
  const catalogApi = useApi(catalogApiRef);
  const identityApi = useApi(identityApiRef);
  const {
    value: owned,
    loading,
    error: loadError,
  } = useAsync(
    () => loadOwnedEntities(catalogApi, identityApi),
    [catalogApi, identityApi],
  );

  const options = useMemo(() => {
    const list = owned ?? [];
    return props.value && !list.some(option => option.ref === props.value)
      ? [{ ref: props.value }, ...list]
      : list;
  }, [owned, props.value]);

  const helperText =
    props.error ??
    (loadError
      ? `Your teams' entities could not be listed: ${loadError.message}`
      : 'A component or system your team owns; the resource belongs to its owner.');

  return (
    <Autocomplete<EntityOption>
      disabled={props.disabled}
      options={options}
      loading={loading}
      value={options.find(option => option.ref === props.value) ?? null}
      onChange={(_event, option) => props.onChange(option?.ref ?? null)}
      getOptionLabel={option => option.ref}
      getOptionSelected={(option, selected) => option.ref === selected.ref}
      renderOption={option => (
        <div>
          <Typography variant="body2">{option.ref}</Typography>
          {option.title && (
            <Typography variant="caption" color="textSecondary">
              {option.title}
            </Typography>
          )}
        </div>
      )}
      renderInput={params => (
        <TextField
          {...params}
          label="Entity"
          required
          variant="outlined"
          error={Boolean(props.error || loadError)}
          helperText={helperText}
        />
      )}
    />
  );
}
