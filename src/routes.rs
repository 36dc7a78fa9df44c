//! Every route of the product, wired from the slices; nothing else lives here.

use actix_web::web;

/// The routes every mode serves.
pub fn product(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::web::health::live)
        .service(crate::web::health::ready)
        .service(crate::web::pages::accessibility)
        .service(crate::web::pages::switch_language)
        .configure(crate::auth::routes)
        .configure(crate::access::routes)
        .configure(crate::inbox::routes)
        .configure(crate::owner::routes)
        .configure(crate::notify::web::routes)
        .configure(crate::api::routes);
}

/// The demo login provider's routes (when it runs), and what only `demo` serves: the dev
/// outbox and the baseline page.
pub fn demo(cfg: &mut web::ServiceConfig, demo_login: bool, demo: bool) {
    if demo_login {
        crate::auth::demo_routes(cfg);
    }
    if demo {
        crate::notify::web::demo_routes(cfg);
        cfg.service(crate::web::baseline::baseline);
    }
}
