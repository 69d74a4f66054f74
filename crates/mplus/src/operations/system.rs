//! The API itself: its version (the connection test) and the current sync markers.

use crate::model::{ApiVersion, SyncMarkers};
use crate::soap::NoArguments;
use crate::{MplusClient, MplusError};

impl MplusClient {
    /// `getApiVersion`: also the connection test (credentials, reachability).
    pub async fn api_version(&self) -> Result<ApiVersion, MplusError> {
        self.call("getApiVersion", &NoArguments {}).await
    }

    /// The connection test of the set-up wizard: `getApiVersion`.
    pub async fn test_connection(&self) -> Result<ApiVersion, MplusError> {
        self.api_version().await
    }

    /// `getCurrentSyncMarkers`: the highest marker per entity type (a flow's starting point).
    pub async fn current_sync_markers(&self) -> Result<SyncMarkers, MplusError> {
        self.call("getCurrentSyncMarkers", &NoArguments {}).await
    }
}
