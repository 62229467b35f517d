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
public static class OnnxExport
{
    /// <summary>The ONNX opset the exporter targets.</summary>
    public const int Opset = 20;

    private const long IrVersion = 9;
    private const int FloatType = (int)TensorProto.Types.DataType.Float;

    /// <summary>
    /// Writes the model as an ONNX file, atomically. Supported layers: Linear, ReLU, LeakyReLU, Sigmoid,
    /// Tanh, GELU, Softmax, LogSoftmax, Flatten (to the last dimension), Dropout (removed: inference),
    /// and nested Sequential.
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

        var graph = new GraphProto { Name = "backprop" };
        var builder = new Builder(graph);
        var (output, shape) = builder.Add(model, "input", [.. inputShape], "");
        graph.Input.Add(ValueInfo("input", inputShape));
        graph.Output.Add(ValueInfo(output, shape));
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

    private static ValueInfoProto ValueInfo(string name, IReadOnlyList<int> shape)
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
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = FloatType, Shape = tensorShape } },
        };
    }

    /// <summary>Adds nodes and initializers for modules, tracking the current value's name and shape.</summary>
    private sealed class Builder(GraphProto graph)
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
                case Dropout:
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
                    return (Node("LeakyRelu", [input], Attribute("alpha", leaky.NegativeSlope)), shape);
                case Softmax softmax:
                    return (Node("Softmax", [input], Attribute("axis", softmax.Dim)), shape);
                case LogSoftmax logSoftmax:
                    return (Node("LogSoftmax", [input], Attribute("axis", logSoftmax.Dim)), shape);
                case Flatten flatten:
                    return AddFlatten(flatten, input, shape);
                default:
                    throw new ArgumentException($"ExportOnnx: layer '{prefix.TrimEnd('.')}' ({module.GetType().Name}) has no ONNX mapping; supported are Sequential, Linear, ReLU, LeakyReLU, Sigmoid, Tanh, GELU, Softmax, LogSoftmax, Flatten and Dropout.");
            }
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

        private string Node(string op, IEnumerable<string> inputs, AttributeProto? attribute = null)
        {
            var name = op.ToLowerInvariant() + "_" + (_counter++).ToString(CultureInfo.InvariantCulture);
            var node = new NodeProto { OpType = op, Name = name };
            node.Input.AddRange(inputs);
            node.Output.Add(name);
            if (attribute is not null)
            {
                node.Attribute.Add(attribute);
            }

            graph.Node.Add(node);
            return name;
        }

        private string Initializer(string name, Tensor value)
        {
            var tensor = new TensorProto { Name = name, DataType = FloatType, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(value.Span)) };
            tensor.Dims.AddRange(value.Shape.Select(d => (long)d));
            graph.Initializer.Add(tensor);
            return name;
        }

        private static AttributeProto Attribute(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

        private static AttributeProto Attribute(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

        private static AttributeProto Attribute(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };
    }
}
