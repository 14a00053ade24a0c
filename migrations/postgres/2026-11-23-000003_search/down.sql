DROP TABLE search_events;
DROP TABLE search_outbox;
