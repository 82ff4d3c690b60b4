//! `--sandbox`: an in-process Kommo simulator with a demo account, and the configuration
//! pointed at it, so every tool can be tried without a Kommo account.

use kommo_sim::{Simulator, SimulatorOptions};

use crate::{
    config::{BaseUrl, Config, Source, Sourced, Subdomain},
    secret::Secret,
};

/// The demo account's subdomain and its pause field (a checkbox the seed creates).
pub(crate) const SUBDOMAIN: &str = "demo";
pub(crate) const PAUSE_FIELD_ID: i64 = 5001;
/// send_message's text field (the seed's first extra text field) and the Salesbot that
/// sends it (the seed's bot, given a send-message step for that field).
pub(crate) const MESSAGE_FIELD_ID: i64 = 5023;
pub(crate) const MESSAGE_BOT_ID: i64 = 401;

/// Starts the simulator, seeds the demo account and points `config` at it. The returned
/// simulator must be kept alive for as long as it is used.
pub(crate) async fn start(config: &mut Config) -> anyhow::Result<Simulator> {
    let simulator = Simulator::start(SimulatorOptions::default()).await?;
    let token = format!("sandbox-{}", uuid::Uuid::new_v4().simple());
    simulator.state().add_demo_account(SUBDOMAIN, &token);
    let base_url = BaseUrl::parse(&simulator.base_url_template())?;
    let subdomain = Subdomain::parse(SUBDOMAIN)?;
    config.use_sandbox(base_url, subdomain, Secret::new(token), PAUSE_FIELD_ID);
    if simulator
        .state()
        .set_bot_sends_field(SUBDOMAIN, MESSAGE_BOT_ID, MESSAGE_FIELD_ID)
    {
        config.message_field_id = Some(Sourced::new(MESSAGE_FIELD_ID, Source::Sandbox));
        config.message_bot_id = Some(Sourced::new(MESSAGE_BOT_ID, Source::Sandbox));
    }
    tracing::info!(
        "sandbox: Kommo simulator at http://{} (account {SUBDOMAIN:?}, pause field {PAUSE_FIELD_ID})\n{}",
        simulator.addr(),
        kommo_sim::seed::summary()
    );
    Ok(simulator)
}
