//! The web origins Procore's side panel speaks from (`PROCORE_WEB_ORIGINS`): the side-panel
//! page posts `initialize` to, and accepts `setup` and the lifecycle messages from, these
//! origins only (procore-api.md §8.4). With the built-in sandbox, its Procore shell's origin
//! (`http://localhost:PORT`) is added at start-up, and only then.

/// Procore's production web origins (the default of `PROCORE_WEB_ORIGINS`).
pub const DEFAULT_PROCORE_WEB_ORIGINS: [&str; 3] = [
    "https://app.procore.com",
    "https://us02.procore.com",
    "https://uk01.procore.com",
];

/// `PROCORE_WEB_ORIGINS`: comma- or space-separated `https://host[:port]` origins (no path,
/// no wildcard); unset or empty = [`DEFAULT_PROCORE_WEB_ORIGINS`].
pub fn parse(value: Option<&str>) -> Result<Vec<String>, String> {
    let listed: Vec<&str> = value
        .unwrap_or("")
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .collect();
    if listed.is_empty() {
        return Ok(DEFAULT_PROCORE_WEB_ORIGINS.map(String::from).to_vec());
    }
    let mut origins = Vec::new();
    for item in listed {
        let url = url::Url::parse(item).map_err(|e| format!("`{item}` is not an origin ({e})"))?;
        let origin = url.origin().ascii_serialization();
        if url.scheme() != "https"
            || item.contains('*')
            || origin.trim_end_matches('/') != item.trim_end_matches('/')
        {
            return Err(format!(
                "`{item}` must be an https origin such as https://app.procore.com (no path, no wildcard)"
            ));
        }
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    Ok(origins)
}

/// The configured origins plus, with the built-in sandbox, its shell's origin.
pub fn with_sandbox_shell(mut origins: Vec<String>, shell: Option<&str>) -> Vec<String> {
    if let Some(shell) = shell {
        let shell = shell.trim_end_matches('/').to_string();
        if !origins.contains(&shell) {
            origins.push(shell);
        }
    }
    origins
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_default_to_procores_and_refuse_anything_but_https_origins() {
        assert_eq!(parse(None).unwrap(), DEFAULT_PROCORE_WEB_ORIGINS.to_vec());
        assert_eq!(
            parse(Some("  ")).unwrap(),
            DEFAULT_PROCORE_WEB_ORIGINS.to_vec()
        );
        assert_eq!(
            parse(Some(
                "https://sandbox.procore.com, https://app.procore.com https://app.procore.com"
            ))
            .unwrap(),
            ["https://sandbox.procore.com", "https://app.procore.com"]
        );
        for bad in [
            "http://app.procore.com",
            "https://app.procore.com/path",
            "https://*.procore.com",
            "app.procore.com",
            "*",
        ] {
            assert!(parse(Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(
            with_sandbox_shell(parse(None).unwrap(), Some("http://localhost:4100"))
                .last()
                .unwrap(),
            "http://localhost:4100"
        );
        assert_eq!(with_sandbox_shell(parse(None).unwrap(), None).len(), 3);
    }
}
