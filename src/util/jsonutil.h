/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_JSONUTIL_H
#define TCPTUNE_JSONUTIL_H

#include <json-c/json.h>

#include "util.h"

/* json-c helpers every JSON writer shares: the journal and every renderer. */

void json_putp(json_object **j);
#define _cleanup_json_ _cleanup_(json_putp)

/*
 * Adds val under key and takes it over: 0 or -ENOMEM. val == NULL is an
 * allocation that failed (-ENOMEM), so calls chain: json_add(o, "n",
 * json_object_new_int64(n)) < 0 || ...
 */
int json_add(json_object *o, const char *key, json_object *val);
/* The same for an array: appends val and takes it over; NULL is -ENOMEM. */
int json_append(json_object *arr, json_object *val);
/* A new object appended to arr (which owns it), or NULL on ENOMEM. */
json_object *json_append_object(json_object *arr);

#endif
