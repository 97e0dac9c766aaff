//! The scorecard's stored enums that are not scoring arithmetic.

use throughline_domain::kit::stored_enum;

stored_enum!(
    /// Whether a perspective or objective is in use.
    Status as "ScorecardItemStatus" {
        /// In use: scored and offered for new objectives.
        Active => "ACTIVE",
        /// Kept with its history, not scored and offered for nothing new.
        Archived => "ARCHIVED",
    }
);
