import { serviceInfo } from '../../graph/serviceInfo';
import type { Role } from '../config';
import type { Role as SchemaRole } from '../../schema/generated/types';
import type { Resolvers } from '../generated/graphql';
import { version } from '../../package.json';

// Roles are lower-case where operators write them (API_KEYS); GraphQL enum values are upper case.
// Typed so that a role added to config.ts but not to the SDL fails to compile.
const toSchemaRole = (role: Role): SchemaRole => role.toUpperCase() as Uppercase<Role>;

export const serviceResolvers: Resolvers = {
  Query: {
    serviceInfo: async (_root, _args, ctx) => ({ ...(await serviceInfo(ctx.graph)), version, role: toSchemaRole(ctx.caller.role) }),
  },
};
