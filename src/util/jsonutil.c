// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>

#include "jsonutil.h"

void json_putp(json_object **j)
{
	json_object_put(*j);
}

int json_add(json_object *o, const char *key, json_object *val)
{
	if (!val || json_object_object_add(o, key, val) < 0) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}

int json_append(json_object *arr, json_object *val)
{
	if (!val || json_object_array_add(arr, val) < 0) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}

json_object *json_append_object(json_object *arr)
{
	json_object *o = json_object_new_object();

	return json_append(arr, o) < 0 ? NULL : o;
}
