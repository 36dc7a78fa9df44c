//! The benchmarks' baseline (demo only): a page of the same stack, in the manner of the
//! TechEmpower Fortunes test. It reads 12 rows, adds one, sorts them and renders them with
//! askama (escaped), through the same middleware as every page, so the pages' figures can be
//! given as a ratio to it and mean something on any machine.

use actix_web::{HttpResponse, get, web};
use askama::Template;
use diesel::prelude::*;

use crate::db::schema::er_role_types;
use crate::state::AppState;
use crate::web::{AppError, blocking, render};

#[derive(Template)]
#[template(path = "pages/baseline.html")]
struct Baseline {
    rows: Vec<(String, String)>,
}

#[get("/bench/baseline")]
pub async fn baseline(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let mut rows: Vec<(String, String)> = blocking(move || {
        Ok(er_role_types::table
            .select((er_role_types::code, er_role_types::name_nb))
            .order(er_role_types::code)
            .limit(12)
            .load(&mut pool.get()?)?)
    })
    .await?;
    rows.push((
        "0".to_owned(),
        "Lagt til ved forespørselen <og escapet>".to_owned(),
    ));
    rows.sort_by(|a, b| a.1.cmp(&b.1));
    render(&Baseline { rows })
}
