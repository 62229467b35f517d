using System.Globalization;
using System.Runtime.InteropServices;
using Backprop.NN;
using Google.Protobuf;
using Onnx;

namespace Backprop.IO;

/// <summary>
/// Exports a <see cref="Sequential"/> model to ONNX (opset 20, IR version 9) with the weights as
/// initializers and a dynamic batch dimension, so that ONNX Runtime and other ONNX tools can run it.
/// </summary>
public static partial class OnnxExport
{
    /// <summary>The ONNX opset the exporter targets.</summary>
    public const int Opset = 20;

    private const long IrVersion = 9;
    private const int FloatType = (int)TensorProto.Types.DataType.Float;

    /// <summary>
    /// Writes the model as an ONNX file, atomically, in inference form (batch norm with its running
    /// statistics, dropout removed). Supported layers: Linear, Conv1d, Conv2d (every padding mode),
    /// ConvTranspose2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d and AdaptiveMaxPool2d (to 1×1, or to a size
    /// that divides the input), BatchNorm1d/2d, LayerNorm, GroupNorm, Upsample, ReLU, LeakyReLU, Sigmoid, Tanh, GELU, Softmax,
    /// LogSoftmax, Flatten (to the last dimension), Unflatten, Dropout, Dropout2d, Residual, nested Sequential;
    /// and a whole <see cref="Models.Gpt"/>, whose input is int64 token ids [batch, T].
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="path">The .onnx file to write.</param>
    /// <param name="inputShape">The input's shape; its first dimension becomes the dynamic "batch".</param>
    public static void ExportOnnx(this Module model, string path, params int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(path);
        var proto = ToOnnx(model, inputShape);
        AtomicFile.Write(path, stream => proto.WriteTo(stream));
    }

    /// <summary>The ONNX model as a protobuf message, for callers that want to inspect or change it.</summary>
    /// <param name="model">The model.</param>
    /// <param name="inputShape">The input's shape; its first dimension becomes the dynamic "batch".</param>
    /// <returns>The model message.</returns>
    public static ModelProto ToOnnx(Module model, int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Length < 2 || inputShape.Any(d => d <= 0))
        {
            throw new ArgumentException($"ExportOnnx: the input shape [{string.Join(',', inputShape)}] must have a batch dimension and positive sizes, like [1, 784].", nameof(inputShape));
        }

        if (model is Models.Gpt gpt)
        {
            return GptToOnnx(gpt, inputShape);
        }

        var graph = new GraphProto { Name = "backprop" };
        var builder = new Builder(graph);
        var wasTraining = model.Training;
        model.Eval();
        string output;
        int[] shape;
        try
        {
            (output, shape) = builder.Add(model, "input", [.. inputShape], "");
        }
        finally
        {
            model.Train(wasTraining);
        }

        graph.Input.Add(ValueInfo("input", inputShape));
        graph.Output.Add(ValueInfo(output, shape));
        return Wrap(graph);
    }

    /// <summary>The model message around a graph: IR version, producer and opset.</summary>
    private static ModelProto Wrap(GraphProto graph)
    {
        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "backprop",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return proto;
    }

    private static ValueInfoProto ValueInfo(string name, IReadOnlyList<int> shape, int elementType = FloatType)
    {
        var tensorShape = new TensorShapeProto();
        tensorShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        foreach (var d in shape.Skip(1))
        {
            tensorShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elementType, Shape = tensorShape } },
        };
    }

    /// <summary>Adds nodes and initializers for modules, tracking the current value's name and shape.</summary>
    private sealed partial class Builder(GraphProto graph)
    {
        private int _counter;

        public (string Name, int[] Shape) Add(Module module, string input, int[] shape, string prefix)
        {
            switch (module)
            {
                case Sequential sequential:
                    for (var i = 0; i < sequential.Layers.Count; i++)
                    {
                        (input, shape) = Add(sequential.Layers[i], input, shape, prefix + i.ToString(CultureInfo.InvariantCulture) + ".");
                    }

                    return (input, shape);
                case Linear linear:
                    return AddLinear(linear, input, shape, prefix);
                case DropoutBase:
                    return (input, shape);
                case ReLU:
                    return (Node("Relu", [input]), shape);
                case Sigmoid:
                    return (Node("Sigmoid", [input]), shape);
                case Tanh:
                    return (Node("Tanh", [input]), shape);
                case GELU:
                    return (Node("Gelu", [input], Attribute("approximate", "none")), shape);
                case LeakyReLU leaky:
                    return (Node("LeakyRelu", [input], Attribute("alpha", (float)leaky.NegativeSlope)), shape);
                case Softmax softmax:
                    return (Node("Softmax", [input], Attribute("axis", softmax.Dim)), shape);
                case LogSoftmax logSoftmax:
                    return (Node("LogSoftmax", [input], Attribute("axis", logSoftmax.Dim)), shape);
                case Flatten flatten:
                    return AddFlatten(flatten, input, shape);
                case Unflatten:
                case ConvBase:
                case MaxPool2d:
                case AvgPool2d:
                case AdaptiveAvgPool2d:
                case AdaptiveMaxPool2d:
                case BatchNormBase:
                case LayerNorm:
                case GroupNorm:
                case Upsample:
                    return AddShaped((Module<Tensor, Tensor>)module, input, shape, prefix);
                case Residual residual:
                    var (body, bodyShape) = Add(residual.Body, input, shape, prefix + "body.");
                    var shortcut = residual.Shortcut is null ? input : Add(residual.Shortcut, input, shape, prefix + "shortcut.").Name;
                    return (Node("Add", [body, shortcut]), bodyShape);
                default:
                    throw new ArgumentException($"ExportOnnx: layer '{prefix.TrimEnd('.')}' ({module.GetType().Name}) has no ONNX mapping; supported are Sequential, Residual, Linear, Conv1d, Conv2d, ConvTranspose2d, the pooling layers, BatchNorm1d/2d, LayerNorm, GroupNorm, the activations, Flatten, Unflatten and dropout.");
            }
        }

        /// <summary>The layers whose output shape is easiest to learn by running them (in eval mode, on zeros of one sample).</summary>
        private (string Name, int[] Shape) AddShaped(Module<Tensor, Tensor> module, string input, int[] shape, string prefix)
        {
            int[] outShape;
            using (Tensor.NoGrad())
            {
                outShape = [shape[0], .. module.Forward(Tensor.Zeros([1, .. shape[1..]])).Shape[1..]];
            }

            var name = module switch
            {
                Unflatten => Node("Reshape", [input, Ints(prefix + "shape", [0, .. outShape[1..]])]),
                Conv2d conv => AddConv(conv.PaddingMode, conv.Padding, conv.KernelSize, conv.Stride, conv.Dilation, conv, input, shape, prefix, twoD: true),
                Conv1d conv => AddConv(conv.PaddingMode, conv.Padding, (1, conv.KernelSize), (1, conv.Stride), (1, conv.Dilation), conv, input, shape, prefix, twoD: false),
                ConvTranspose2d conv => Node("ConvTranspose", Inputs(input, prefix, conv),
                    Attribute("kernel_shape", [conv.KernelSize.H, conv.KernelSize.W]), Attribute("strides", [conv.Stride.H, conv.Stride.W]),
                    Attribute("pads", [conv.Padding.H, conv.Padding.W, conv.Padding.H, conv.Padding.W]), Attribute("dilations", [conv.Dilation.H, conv.Dilation.W]),
                    Attribute("output_padding", [conv.OutputPadding.H, conv.OutputPadding.W]), Attribute("group", (long)conv.Groups)),
                MaxPool2d pool => Node("MaxPool", [input],
                    Attribute("kernel_shape", [pool.KernelSize.H, pool.KernelSize.W]), Attribute("strides", [pool.Stride.H, pool.Stride.W]),
                    Attribute("pads", [pool.Padding.H, pool.Padding.W, pool.Padding.H, pool.Padding.W]), Attribute("dilations", [pool.Dilation.H, pool.Dilation.W]),
                    Attribute("ceil_mode", pool.CeilMode ? 1L : 0L)),
                AvgPool2d { DivisorOverride: > 0 } => throw new ArgumentException($"ExportOnnx: layer '{prefix.TrimEnd('.')}' (AvgPool2d with divisor_override) has no ONNX mapping."),
                AvgPool2d pool => Node("AveragePool", [input],
                    Attribute("kernel_shape", [pool.KernelSize.H, pool.KernelSize.W]), Attribute("strides", [pool.Stride.H, pool.Stride.W]),
                    Attribute("pads", [pool.Padding.H, pool.Padding.W, pool.Padding.H, pool.Padding.W]), Attribute("ceil_mode", pool.CeilMode ? 1L : 0L),
                    Attribute("count_include_pad", pool.CountIncludePad ? 1L : 0L)),
                AdaptiveAvgPool2d => AdaptivePool("AveragePool", "GlobalAveragePool", input, shape, outShape, prefix),
                AdaptiveMaxPool2d => AdaptivePool("MaxPool", "GlobalMaxPool", input, shape, outShape, prefix),
                BatchNormBase bn => AddBatchNorm(bn, input, prefix),
                GroupNorm gn => AddGroupNorm(gn, input, shape, prefix),
                Upsample up => Node("Resize", [input, string.Empty, FloatValues(prefix + "scales", [1f, 1f, outShape[2] / (float)shape[2], outShape[3] / (float)shape[3]])],
                    Attribute("mode", up.Mode == UpsampleMode.Nearest ? "nearest" : "linear"),
                    Attribute("coordinate_transformation_mode", up.Mode == UpsampleMode.Nearest ? "asymmetric" : up.AlignCorners ? "align_corners" : "pytorch_half_pixel"),
                    Attribute("nearest_mode", "floor")),
                LayerNorm norm => Node("LayerNormalization", [input, norm.Weight is null ? Floats(prefix + "weight", [.. norm.NormalizedShape], 1f) : Initializer(prefix + "weight", norm.Weight),
                    norm.Bias is null ? Floats(prefix + "bias", [.. norm.NormalizedShape], 0f) : Initializer(prefix + "bias", norm.Bias)],
                    Attribute("axis", (long)-norm.NormalizedShape.Count), Attribute("epsilon", (float)norm.Eps)),
                _ => throw new InvalidOperationException(module.GetType().Name),
            };
            return (name, outShape);
        }

        private string AddConv(PadMode mode, ConvPadding padding, Size2 kernel, Size2 stride, Size2 dilation, ConvBase conv, string input, int[] shape, string prefix, bool twoD)
        {
            // Zeros become the Conv's pads ("same" split as PyTorch splits it); another mode pads with a Pad node first.
            var h = twoD ? padding.Rows(kernel.H, dilation.H) : (Before: 0, After: 0);
            var w = padding.Columns(kernel.W, dilation.W);

            var source = input;
            long[] pads = twoD ? [h.Before, w.Before, h.After, w.After] : [w.Before, w.After];
            if (mode != PadMode.Constant)
            {
                long[] full = twoD ? [0, 0, h.Before, w.Before, 0, 0, h.After, w.After] : [0, 0, w.Before, 0, 0, w.After];
                var onnxMode = mode switch { PadMode.Reflect => "reflect", PadMode.Replicate => "edge", _ => "wrap" };
                source = Node("Pad", [input, Ints(prefix + "pads", full)], Attribute("mode", onnxMode));
                pads = twoD ? [0, 0, 0, 0] : [0, 0];
            }

            long[] Two(Size2 s) => twoD ? [s.H, s.W] : [s.W];
            return Node("Conv", Inputs(source, prefix, conv),
                Attribute("kernel_shape", Two(kernel)), Attribute("strides", Two(stride)), Attribute("pads", pads),
                Attribute("dilations", Two(dilation)), Attribute("group", (long)conv.Groups));
        }

        private string AdaptivePool(string op, string global, string input, int[] shape, int[] outShape, string prefix)
        {
            if (outShape[^1] == 1 && outShape[^2] == 1)
            {
                return Node(global, [input]);
            }

            if (shape[^2] % outShape[^2] != 0 || shape[^1] % outShape[^1] != 0)
            {
                throw new ArgumentException($"ExportOnnx: layer '{prefix.TrimEnd('.')}' pools [{string.Join(',', shape)}] adaptively to {outShape[^2]}×{outShape[^1]}, which does not divide it; ONNX has no adaptive pooling.");
            }

            long[] kernel = [shape[^2] / outShape[^2], shape[^1] / outShape[^1]];
            return Node(op, [input], Attribute("kernel_shape", kernel), Attribute("strides", kernel));
        }

        private string AddBatchNorm(BatchNormBase bn, string input, string prefix)
        {
            if (bn.RunningMean is null || bn.RunningVar is null)
            {
                throw new ArgumentException($"ExportOnnx: layer '{prefix.TrimEnd('.')}' ({bn.GetType().Name} without running statistics) normalizes with each batch's statistics; ONNX's BatchNormalization needs running ones.");
            }

            var c = bn.NumFeatures;
            return Node("BatchNormalization", [
                input,
                bn.Weight is null ? Floats(prefix + "weight", [c], 1f) : Initializer(prefix + "weight", bn.Weight),
                bn.Bias is null ? Floats(prefix + "bias", [c], 0f) : Initializer(prefix + "bias", bn.Bias),
                Initializer(prefix + "running_mean", bn.RunningMean),
                Initializer(prefix + "running_var", bn.RunningVar),
            ], Attribute("epsilon", (float)bn.Eps));
        }

        /// <summary>
        /// GroupNorm as ONNX's InstanceNormalization over [N, groups, rest] (each group one "instance" channel, its
        /// mean and variance over the rest), reshaped back, then the per-channel weight and bias.
        /// </summary>
        private string AddGroupNorm(GroupNorm gn, string input, int[] shape, string prefix)
        {
            var (groups, c) = (gn.NumGroups, gn.NumChannels);
            var grouped = Node("Reshape", [input, Ints(prefix + "grouped_shape", [0, groups, -1])]);
            var normalized = Node("InstanceNormalization", [grouped, Floats(prefix + "group_scale", [groups], 1f), Floats(prefix + "group_bias", [groups], 0f)],
                Attribute("epsilon", (float)gn.Eps));
            var output = Node("Reshape", [normalized, Ints(prefix + "shape", [0, .. shape[1..]])]);
            if (gn.Weight is null || gn.Bias is null)
            {
                return output;
            }

            int[] perChannel = [c, .. Enumerable.Repeat(1, shape.Length - 2)];
            var scaled = Node("Mul", [output, Initializer(prefix + "weight", gn.Weight.Detach().Reshape(perChannel))]);
            return Node("Add", [scaled, Initializer(prefix + "bias", gn.Bias.Detach().Reshape(perChannel))]);
        }

        private List<string> Inputs(string input, string prefix, ConvBase conv)
        {
            List<string> inputs = [input, Initializer(prefix + "weight", conv.Weight)];
            if (conv.Bias is not null)
            {
                inputs.Add(Initializer(prefix + "bias", conv.Bias));
            }

            return inputs;
        }

        private (string, int[]) AddLinear(Linear linear, string input, int[] shape, string prefix)
        {
            if (shape[^1] != linear.InFeatures)
            {
                throw new ArgumentException($"ExportOnnx: layer '{prefix.TrimEnd('.')}' is Linear({linear.InFeatures}, {linear.OutFeatures}) but receives [{string.Join(',', shape)}].");
            }

            var outShape = (int[])shape.Clone();
            outShape[^1] = linear.OutFeatures;
            var weight = Initializer(prefix + "weight", linear.Weight);
            if (shape.Length == 2)
            {
                List<string> inputs = [input, weight];
                if (linear.Bias is not null)
                {
                    inputs.Add(Initializer(prefix + "bias", linear.Bias));
                }

                return (Node("Gemm", inputs, Attribute("transB", 1L)), outShape);
            }

            var transposed = Initializer(prefix + "weight_t", linear.Weight.T);
            var product = Node("MatMul", [input, transposed]);
            return (linear.Bias is null ? product : Node("Add", [product, Initializer(prefix + "bias", linear.Bias)]), outShape);
        }

        private (string, int[]) AddFlatten(Flatten flatten, string input, int[] shape)
        {
            var start = flatten.StartDim < 0 ? flatten.StartDim + shape.Length : flatten.StartDim;
            var end = flatten.EndDim < 0 ? flatten.EndDim + shape.Length : flatten.EndDim;
            if (start != 1 || end != shape.Length - 1)
            {
                throw new ArgumentException($"ExportOnnx: {flatten} on [{string.Join(',', shape)}]: only flattening everything after the batch dimension has an ONNX mapping.");
            }

            return (Node("Flatten", [input], Attribute("axis", 1L)), [shape[0], shape[1..].Aggregate(1, (x, y) => x * y)]);
        }

        private string Node(string op, IEnumerable<string> inputs, params AttributeProto[] attributes)
        {
            var name = op.ToLowerInvariant() + "_" + (_counter++).ToString(CultureInfo.InvariantCulture);
            var node = new NodeProto { OpType = op, Name = name };
            node.Input.AddRange(inputs);
            node.Output.Add(name);
            node.Attribute.AddRange(attributes);
            graph.Node.Add(node);
            return name;
        }

        /// <summary>An int64 initializer (a Reshape's shape, a Pad's amounts).</summary>
        private string Ints(string name, long[] values)
        {
            var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
            tensor.Int64Data.AddRange(values);
            tensor.Dims.Add(values.Length);
            graph.Initializer.Add(tensor);
            return name;
        }

        /// <summary>A 1-D float initializer (a Resize's scales).</summary>
        private string FloatValues(string name, float[] values) => Initializer(name, Tensor.FromArray(values));

        /// <summary>A float initializer of one value (a layer's absent weight or bias).</summary>
        private string Floats(string name, int[] shape, float value) => Initializer(name, Tensor.Full(value, shape));

        private string Initializer(string name, Tensor value)
        {
            var tensor = new TensorProto { Name = name, DataType = FloatType, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(value.Span)) };
            tensor.Dims.AddRange(value.Shape.Select(d => (long)d));
            graph.Initializer.Add(tensor);
            return name;
        }

        private static AttributeProto Attribute(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

        private static AttributeProto Attribute(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

        private static AttributeProto Attribute(string name, long[] values)
        {
            var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            attribute.Ints.AddRange(values);
            return attribute;
        }

        private static AttributeProto Attribute(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };
    }
}
