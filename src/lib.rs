//! melding: digital mail for the Norwegian public sector.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod access;
pub mod api;
pub mod app;
pub mod audit;
pub mod auth;
pub mod bench;
pub mod config;
pub mod db;
pub mod domain;
pub mod events;
pub mod import;
pub mod inbox;
pub mod notify;
pub mod owner;
pub mod routes;
pub mod seed;
pub mod sending;
pub mod state;
pub mod storage;
pub mod telemetry;
pub mod transfer;
pub mod web;
