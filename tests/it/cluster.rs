//! The embedded PostgreSQL launcher: a cluster under a data folder that survives a restart.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use melding::db::cluster::{Durability, LocalCluster};

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    v: String,
}

/// Stops the cluster and removes its folder however the test ends, so a failure leaves no server.
struct Cleanup(std::path::PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        // Only a test that failed midway leaves a server running (its pid file shows it).
        if self.0.join("pg/postmaster.pid").exists()
            && let Ok(mut cluster) = LocalCluster::start(&self.0, Durability::Throwaway)
        {
            let _ = cluster.stop();
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_private_cluster_keeps_its_data_across_a_restart() {
    let root =
        std::env::temp_dir().join(format!("melding-cluster-{}", uuid::Uuid::now_v7().simple()));
    let _cleanup = Cleanup(root.clone());
    {
        let mut cluster = LocalCluster::start(&root, Durability::Throwaway)
            .expect("first start creates the cluster");
        let url = cluster.ensure_database("melding").expect("database");
        assert!(url.contains("host="), "unix socket only: {url}");
        let mut conn = PgConnection::establish(&url).expect("connect over the socket");
        conn.batch_execute("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')")
            .expect("write");
        drop(conn);
        cluster.stop().expect("a clean stop");
        assert!(
            !root.join("pg/postmaster.pid").exists(),
            "the server is down"
        );
    }
    let mut cluster =
        LocalCluster::start(&root, Durability::Throwaway).expect("second start reuses the cluster");
    let url = cluster.ensure_database("melding").expect("database");
    let mut conn = PgConnection::establish(&url).expect("connect");
    let rows: Vec<Row> = diesel::sql_query("SELECT v FROM kept")
        .load(&mut conn)
        .expect("read");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].v, "still here");
    // No TCP port is opened: the server listens on its private socket only.
    let listen: Vec<Row> = diesel::sql_query("SELECT current_setting('listen_addresses') AS v")
        .load(&mut conn)
        .expect("setting");
    assert_eq!(listen[0].v, "");
    let wal: Vec<Row> = diesel::sql_query("SELECT current_setting('max_wal_size') AS v")
        .load(&mut conn)
        .expect("setting");
    assert_eq!(wal[0].v, "4GB", "a throwaway cluster keeps its WAL size");
    drop(conn);
    cluster.stop().expect("stop");
}

#[test]
fn a_durable_cluster_spaces_its_checkpoints_at_each_start() {
    let root =
        std::env::temp_dir().join(format!("melding-cluster-{}", uuid::Uuid::now_v7().simple()));
    let _cleanup = Cleanup(root.clone());
    let mut cluster = LocalCluster::start(&root, Durability::Full).expect("a durable cluster");
    let url = cluster.ensure_database("melding").expect("database");
    let mut conn = PgConnection::establish(&url).expect("connect");
    let setting = |conn: &mut PgConnection, name: &str| -> String {
        let rows: Vec<Row> = diesel::sql_query(format!("SELECT current_setting('{name}') AS v"))
            .load(conn)
            .expect("setting");
        rows[0].v.clone()
    };
    assert_eq!(setting(&mut conn, "max_wal_size"), "16GB");
    assert_eq!(setting(&mut conn, "checkpoint_timeout"), "15min");
    assert!(
        ["lz4", "pglz"].contains(&setting(&mut conn, "wal_compression").as_str()),
        "full-page images compressed"
    );
    // Durable: what is committed is on disk.
    assert_eq!(setting(&mut conn, "fsync"), "on");
    assert_eq!(setting(&mut conn, "synchronous_commit"), "on");
    drop(conn);
    cluster.stop().expect("stop");
}
