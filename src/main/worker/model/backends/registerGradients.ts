/**
 * tfjs-core's Node bundle (tf-core.node.js) registers no gradient functions, and its ESM
 * register_all_gradients cannot be imported by Node (extension-less imports). tfjs-layers' Node
 * bundle registers all of them in tfjs' global registry when loaded, so importing it is how any
 * training code here (layers models or raw tf.variableGrads) gets gradients.
 */
import '@tensorflow/tfjs-layers';
