//! The web layer: routing, extractors, the JSON API and the pages.

pub mod api;
pub mod auth;
pub mod csrf;
pub mod headers;
pub mod input;
pub mod pages;
pub mod problem;
pub mod state;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{middleware, web, App};
use tracing_actix_web::TracingLogger;

use self::headers::BespokeSpans;

use self::state::AppState;

/// Bodies larger than this are refused before they are read.
pub(crate) const MAX_BODY_BYTES: usize = 256 * 1024;

/// The whole application, for the server and for tests alike.
pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let secure_cookies = state.config.secure_cookies;
    App::new()
        .app_data(web::Data::new(state))
        .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
        .service(
            web::scope("/api/v1")
                .app_data(problem::json_config())
                .app_data(problem::query_config())
                .wrap(problem::api_error_handlers())
                .configure(api::routes)
                .default_service(web::to(problem::api_not_found)),
        )
        .service(
            web::scope("/openreferral")
                .app_data(problem::query_config())
                .wrap(problem::api_error_handlers())
                // Outermost, so error answers carry it too.
                .wrap(middleware::DefaultHeaders::new().add(("Access-Control-Allow-Origin", "*")))
                .configure(api::openreferral::routes)
                .default_service(web::to(problem::api_not_found)),
        )
        .service(web::resource("/healthz").route(web::get().to(api::health::healthz)))
        .configure(pages::routes)
        .default_service(web::to(pages::not_found))
        .wrap(middleware::from_fn(input::refuse_hostile_text))
        .wrap(pages::html_error_handlers())
        .wrap_fn(move |req, srv| {
            let new_cookie = csrf::attach_token(&req, secure_cookies);
            let response = srv.call(req);
            async move {
                // Errors are answered as responses further in (web::input turns
                // a body that cannot be read into one), so they get the headers too.
                let mut response = response.await?;
                if let Some(cookie) = new_cookie {
                    response.response_mut().add_cookie(&cookie)?;
                }
                headers::secure(&mut response, secure_cookies);
                Ok(response)
            }
        })
        .wrap(middleware::Compress::default())
        .wrap(TracingLogger::<BespokeSpans>::new())
}
