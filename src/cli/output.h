/* output.h - text and JSON rendering for the front ends */
#ifndef NICFIX_OUTPUT_H
#define NICFIX_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

/**
 * struct json - a streaming JSON writer, one object per command
 * @f: where to write
 * @depth: current nesting
 * @first: per level, whether no member was written yet
 */
struct json {
	FILE *f;
	int depth;
	bool first[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *f);
/* @key is NULL inside arrays and for the top-level object */
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_strn(struct json *j, const char *key, const char *val, size_t len);
void json_bool(struct json *j, const char *key, bool val);
void json_int(struct json *j, const char *key, long long val);
void json_null(struct json *j, const char *key);
/* @text as it is: a number the caller formatted ("2.000") */
void json_raw(struct json *j, const char *key, const char *text);
/* ends the last line of a top-level object */
void json_finish(struct json *j);

#endif
