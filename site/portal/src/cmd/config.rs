//! `portal config`: what a web server must be told to serve a built site — an nginx `server`
//! block, or a static host's `_headers` file. The text is made by [`render::serving`].

use super::{emit, fail, under_root};
use policy::messages::{Key, Lang, Msg};
use render::serving::{self, ConfigError};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Which server's configuration.
#[derive(Debug, clap::Subcommand)]
pub enum ConfigWhat {
    /// 输出 nginx 的 server 配置：预压缩文件、wasm 类型、缓存、安全响应头（CSP 等）、404 页
    Nginx {
        /// 生成好的网站文件夹（相对于 --root）
        #[arg(long, default_value = "public")]
        site: PathBuf,
        /// nginx 监听的地址和端口，例如 80、127.0.0.1:8080、[::]:80
        #[arg(long, default_value = "80")]
        listen: String,
        /// nginx 装有 Brotli 静态模块时加上（Debian：libnginx-mod-http-brotli-static），
        /// 把静态资源的 .br 压缩文件发给支持的浏览器；不加则这一行以注释写出
        #[arg(long)]
        brotli: bool,
    },
    /// 输出静态托管（Cloudflare Pages 格式）的 _headers 文件，放到网站文件夹里
    Headers {
        /// 生成好的网站文件夹（相对于 --root），用来确认网站已生成
        #[arg(long, default_value = "public")]
        site: PathBuf,
    },
}

/// Print the configuration asked for.
pub fn run(root: &Path, what: ConfigWhat, lang: Lang) -> ExitCode {
    let text = match &what {
        ConfigWhat::Nginx {
            site,
            listen,
            brotli,
        } => {
            let brotli = if *brotli {
                serving::Brotli::On
            } else {
                serving::Brotli::Off
            };
            serving::site_root(&under_root(root, site))
                .and_then(|dir| serving::nginx(&dir, listen, brotli))
        }
        ConfigWhat::Headers { site } => {
            serving::site_root(&under_root(root, site)).map(|_| serving::headers_file())
        }
    };
    match text {
        Ok(text) => {
            emit(&text);
            ExitCode::SUCCESS
        }
        Err(ConfigError::NotASite(dir)) => fail(
            lang,
            Msg::new(Key::CliConfigNotASite).arg("dir", dir.display().to_string()),
            Some(Msg::new(Key::CliConfigBuildFirst)),
        ),
        Err(ConfigError::Unsafe(text)) => {
            fail(lang, Msg::new(Key::CliConfigUnsafe).arg("text", text), None)
        }
    }
}
