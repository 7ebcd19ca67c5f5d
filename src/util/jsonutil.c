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
