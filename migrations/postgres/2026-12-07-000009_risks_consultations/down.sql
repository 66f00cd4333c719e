DROP TABLE consultations;
DROP TABLE risk_events;
DROP TABLE risks;
DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE role = 'grid_worker');
DELETE FROM users WHERE role = 'grid_worker';
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'union_mediator', 'union_supervisor',
    'police_officer', 'judicial_officer', 'hr_officer', 'lawyer'));
