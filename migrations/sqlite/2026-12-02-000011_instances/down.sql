DROP TABLE leases;
DROP TABLE instances;
