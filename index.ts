// deliberate-image-builds: kpack builds images only from commits Tekton has linted and tested.
// Settings are read and checked in loadSettings; everything deployed comes from planStack.
import { deployStack } from "./components/pulumi/stack";

export const apps = deployStack().apps;
