/* The registry of pca_vs_ae, which links no compiled model and reports PCA
 * only (pca_vs_ae_full links the models). */
#include "model_api.h"

#include <stddef.h>

const aec_pca_entry aec_pca_models[] = {{0, NULL, NULL, NULL}};
const int aec_pca_model_count = 0;
