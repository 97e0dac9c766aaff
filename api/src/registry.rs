//! Every framework compiled into this server. Adding a framework is one line here.

use std::sync::Arc;

use throughline_domain::FrameworkRegistry;

pub fn frameworks() -> FrameworkRegistry {
    Arc::from(vec![
        Arc::new(throughline_okr::Okr) as Arc<dyn throughline_domain::AnyFramework>
    ])
}
