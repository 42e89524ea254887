/* Trains the example model `small` (examples/small.ae) compiled by aec on a
 * fixed smooth signal and prints the loss before and after: the driver's
 * object and header work together with the runtime. */
#include "small.h"

#include <math.h>
#include <stdio.h>

int main(void) {
  static float x[64 * SMALL_INPUT_SIZE];
  for (int i = 0; i < 64 * SMALL_INPUT_SIZE; ++i)
    x[i] = 0.5f + 0.4f * sinf(0.1f * (float)i);
  small *model = small_create(7);
  if (!model)
    return 1;
  float first = small_train_step(model, x, 64);
  float last = first;
  for (int step = 1; step < 200; ++step)
    last = small_train_step(model, x, 64);
  printf("params=%lld input=%lld latent=%lld\n", (long long)small_param_count(),
         (long long)small_input_size(), (long long)small_latent_size());
  printf("decreased=%d\n", last < 0.5f * first);
  small_destroy(model);
  return 0;
}
