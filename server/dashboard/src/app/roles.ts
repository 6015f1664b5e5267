/** The roles the API knows (`Role` in schema/base.graphql). */
export type Role = 'SERVICE' | 'MARKETER' | 'COMMUNITY' | 'ADMIN';

export const ALL_ROLES: readonly Role[] = ['SERVICE', 'MARKETER', 'COMMUNITY', 'ADMIN'];

/** Only these roles may read `Customer.email`; the API answers FORBIDDEN to the others, so the UI never asks. */
export const canReadPersonalData = (role: Role) => role === 'SERVICE' || role === 'ADMIN';
