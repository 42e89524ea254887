/* The registry when no compiled model is linked (AEC_BUILD_MODEL_APPS=OFF):
 * pca_vs_ae then reports PCA only. */
#include "model_api.h"

#include <stddef.h>

const aec_pca_entry aec_pca_models[] = {{0, NULL, NULL}};
const int aec_pca_model_count = 0;
