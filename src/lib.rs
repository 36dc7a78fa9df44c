//! melding: digital mail for the Norwegian public sector.

pub mod app;
pub mod config;
pub mod db;
pub mod domain;
pub mod seed;
pub mod telemetry;
pub mod web;
