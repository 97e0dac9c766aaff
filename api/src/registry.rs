//! Every framework compiled into this server. Adding a framework is one line here.

use std::sync::Arc;

use throughline_domain::FrameworkRegistry;

pub fn frameworks() -> FrameworkRegistry {
    Arc::from(Vec::<Arc<dyn throughline_domain::Framework>>::new())
}
