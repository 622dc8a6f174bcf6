-- Records an applied migration in the same transaction as the migration itself.
INSERT INTO :"schema".schema_migrations (version, name, breaking) VALUES ($1, $2, $3);
