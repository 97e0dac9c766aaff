//! The OKR tables (prefixed `okr_`), one module per table.

pub mod alignment;
pub mod check_in;
pub mod co_owner;
pub mod cycle;
pub mod key_result;
pub mod objective;

use throughline_domain::entity::TenantOwned;

macro_rules! tenant_owned {
    ($($module:ident),*) => {$(
        impl TenantOwned for $module::Entity {
            fn tenant_column() -> Self::Column {
                $module::Column::TenantId
            }
            fn id_column() -> Self::Column {
                $module::Column::Id
            }
        }
    )*};
}

tenant_owned!(cycle, objective, alignment, key_result, check_in);
