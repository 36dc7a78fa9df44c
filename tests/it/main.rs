//! The one integration-test binary: every test talks to the real app over HTTP, to a real
//! PostgreSQL, and (browser tests) to a real Chromium.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod access;
mod admin;
mod api;
mod api_altinn;
mod api_fuzz;
mod api_recipient;
mod api_schema;
mod architecture;
mod broker;
mod browser;
mod cluster;
mod config;
mod events;
mod i18n;
mod identifiers;
mod import;
mod inbox;
mod login;
mod migrations;
mod nodes;
mod notify;
mod pages_fuzz;
mod s3;
mod seed;
mod shell;
mod storage;
