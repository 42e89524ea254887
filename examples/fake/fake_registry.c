/* The pca_vs_ae registry of the fake-model build (pca_vs_ae_fake): the fake
 * linear autoencoder (latent 2) stands in for all three models at d = 2. */
#include "model_api.h"

extern const aec_model_api fake_ae_api;

const aec_pca_entry aec_pca_models[] = {
    {2, &fake_ae_api, &fake_ae_api, &fake_ae_api}};
const int aec_pca_model_count = 1;
