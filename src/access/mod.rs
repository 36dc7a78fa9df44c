//! Parties, roles, access packages and delegations (the authorization decision lands here).

pub mod parties;
