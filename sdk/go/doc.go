// Package stagdb is the official Go client for the StagDB REST API: real staging databases
// (PostgreSQL, MariaDB, ...) in containers, with copy-on-write snapshots and branches.
//
//	client := stagdb.NewClient("http://127.0.0.1:8080", os.Getenv("STAGDB_API_KEY"))
//	db, err := client.Databases.Create(ctx, stagdb.CreateDatabaseParams{
//		Name: "my-app-db", Type: "postgresql", Version: "15",
//	})
//
// Every call takes a context. Failed answers are *Error values (see IsNotFound and the
// other Is functions); rate limits, busy resources and network failures are retried with
// jittered exponential back-off, and every POST carries an Idempotency-Key that its
// retries share. It uses the standard library only.
package stagdb
