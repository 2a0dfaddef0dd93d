-- Which marketplace app's OAuth client a Procore connection was made with (issue 10: Smartapp
-- Planner and Smartapp Safety are separate Procore apps); its refresh token only works with
-- that client. NULL: the default app.
ALTER TABLE procore_connections ADD COLUMN oauth_app TEXT;
