export const DISTRIBUTOR_ROLES = ['branch', 'agency', 'leader'];
export const isDistributorRole = (role) => role !== 'customer';
