DROP TABLE outcome_ratings;
DROP TABLE self_assessments;
DROP TABLE council_allocations;
