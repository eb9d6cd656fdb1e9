"""GitOps objects as ServiceAccount sources (SPEC §3.4): Flux HelmRelease and Kustomization
postBuild, Argo CD Application / ApplicationSet, and the ConfigMaps, Secrets and values files they
read. `reader` runs in the loader (one file at a time, picklable records); `render` joins the
records of all files in the project stage."""
