"""Running a sweep: plan the missing samples, place replicas, execute shards, store and score samples."""
