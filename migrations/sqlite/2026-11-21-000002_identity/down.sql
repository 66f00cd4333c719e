DROP TABLE login_throttle;
DROP TABLE spent_refresh_tokens;
DROP TABLE sessions;
DROP TABLE office_clients;
DROP TABLE users;
DROP TABLE offices;
