//! `koppel sandbox`: both simulators, for demos, manual testing and benchmarks.

use std::net::SocketAddr;

use clap::Args;
use koppel_sandbox::{
    DEFAULT_AFAS_TOKEN_DATA, DEFAULT_MAX_SHOPS, DEFAULT_MPLUS_IDENT, DEFAULT_MPLUS_SECRET, Sandbox, SandboxConfig,
};

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Address of the AFAS Profit simulator.
    #[arg(long, env = "KOPPEL_SANDBOX_AFAS_LISTEN", default_value = "127.0.0.1:8181")]
    pub afas_listen: SocketAddr,
    /// Address of the MplusKASSA simulator.
    #[arg(long, env = "KOPPEL_SANDBOX_MPLUS_LISTEN", default_value = "127.0.0.1:8182")]
    pub mplus_listen: SocketAddr,
    /// Seed of the generated shop: the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Number of MplusKASSA orders to generate (10 to 1,000,000).
    #[arg(long, default_value_t = 200)]
    pub orders: usize,
    /// The 64-hex data part of the AFAS token the simulator accepts.
    #[arg(long, default_value = DEFAULT_AFAS_TOKEN_DATA)]
    pub afas_token_data: String,
    /// The MplusKASSA `ident` the simulator accepts.
    #[arg(long, default_value = DEFAULT_MPLUS_IDENT)]
    pub mplus_ident: String,
    /// The MplusKASSA `secret` the simulator accepts.
    #[arg(long, default_value = DEFAULT_MPLUS_SECRET)]
    pub mplus_secret: String,
    /// How many company shops (credentials carrying a shop id) are held at once, about 1 MB each.
    #[arg(long, default_value_t = DEFAULT_MAX_SHOPS)]
    pub max_shops: usize,
    /// Log filter.
    #[arg(long, env = "KOPPEL_LOG", default_value = "info")]
    pub log: String,
}

pub async fn run(args: SandboxArgs) -> anyhow::Result<()> {
    let _ = tracing_subscriber::fmt().with_env_filter(args.log.as_str()).try_init();
    let config = SandboxConfig {
        seed: args.seed,
        orders: args.orders,
        afas_token_data: args.afas_token_data,
        mplus_ident: args.mplus_ident,
        mplus_secret: args.mplus_secret,
        max_shops: args.max_shops,
    };
    if let Err(problem) = config.check() {
        anyhow::bail!("{problem} (--afas-token-data, --max-shops)");
    }
    anyhow::ensure!(
        (10..=1_000_000).contains(&config.orders),
        "--orders must be between 10 and 1,000,000"
    );
    let sandbox = Sandbox::start(config, args.afas_listen, args.mplus_listen).await?;
    println!("AFAS Profit simulator:  {}/ProfitRestServices/", sandbox.afas_url());
    println!("  token (XML):          {}", sandbox.config.afas_token_xml());
    println!("  token data:           {}", sandbox.config.afas_token_data);
    println!("MplusKASSA simulator:   {}", sandbox.mplus_url());
    println!(
        "  ident / secret:       {} / {}",
        sandbox.config.mplus_ident, sandbox.config.mplus_secret
    );
    println!("Controls on both:       /_sandbox/reset, /_sandbox/journal, /_sandbox/faults, /_sandbox/latency");
    println!("  a company's shop:     add ?shop=<its 32-hex shop id>");
    println!(
        "Seed {} with {} orders. Ctrl-C stops.",
        sandbox.config.seed, sandbox.config.orders
    );
    crate::serve::shutdown_signal().await;
    Ok(())
}
