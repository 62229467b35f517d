using Backprop.Models;
using Backprop.NN;
using Onnx;

namespace Backprop.IO;

public static partial class OnnxExport
{
    /// <summary>
    /// A GPT as ONNX for token ids [batch, T] (T fixed at export, at most the context length): Gather for the
    /// embeddings, LayerNormalization, MatMul and Add for the projections, and per block the attention as
    /// Reshape/Transpose into heads, MatMul, a constant causal mask, Softmax and MatMul, then Gelu for the MLP.
    /// The logits are [batch, T, vocab].
    /// </summary>
    private static ModelProto GptToOnnx(Gpt gpt, int[] inputShape)
    {
        var config = gpt.Config;
        if (inputShape.Length != 2 || inputShape[1] > config.ContextLength)
        {
            throw new ArgumentException($"ExportOnnx: a Gpt takes token ids [batch, T] with T at most its context length {config.ContextLength}; got [{string.Join(',', inputShape)}].", nameof(inputShape));
        }

        var graph = new GraphProto { Name = "backprop-gpt" };
        var builder = new Builder(graph);
        var logits = builder.AddGpt(gpt, "input", inputShape[1]);
        graph.Input.Add(ValueInfo("input", inputShape, (int)TensorProto.Types.DataType.Int64));
        graph.Output.Add(ValueInfo(logits, [inputShape[0], inputShape[1], config.VocabSize]));
        return Wrap(graph);
    }

    private sealed partial class Builder
    {
        public string AddGpt(Gpt gpt, string input, int steps)
        {
            var c = gpt.Config;
            var positions = Tensor.Embedding(Tensor.Arange(0, steps, 1, DType.Int64), gpt.Wpe.Weight).Detach();
            var x = Node("Add", [Node("Gather", [Initializer("wte.weight", gpt.Wte.Weight), input], Attribute("axis", 0L)), Initializer("wpe.positions", positions)]);
            var mask = Tensor.Zeros(steps, steps).MaskedFill(Tensor.Ones([steps, steps], DType.Bool).Triu(1), double.NegativeInfinity);
            var causal = Initializer("causal_mask", mask);
            var scale = Initializer("attention_scale", Tensor.Full(1f / MathF.Sqrt(c.Width / c.Heads)));
            long[] headsShape = [0, steps, 3, c.Heads, c.Width / c.Heads];
            for (var i = 0; i < c.Layers; i++)
            {
                var block = gpt.H[i];
                var prefix = $"h.{i}.";
                var qkv = Projection(block.Attn.CAttn, Norm(block.Ln1, x, prefix + "ln_1."), prefix + "attn.c_attn.");
                var heads = Node("Transpose", [Node("Reshape", [qkv, Ints(prefix + "attn.heads_shape", headsShape)])], Attribute("perm", [2L, 0, 3, 1, 4]));
                var (q, k, v) = (Part(heads, 0, prefix + "attn.q"), Part(heads, 1, prefix + "attn.k"), Part(heads, 2, prefix + "attn.v"));
                var scores = Node("Add", [Node("Mul", [Node("MatMul", [q, Node("Transpose", [k], Attribute("perm", [0L, 1, 3, 2]))]), scale]), causal]);
                var attended = Node("MatMul", [Node("Softmax", [scores], Attribute("axis", -1L)), v]);
                var merged = Node("Reshape", [Node("Transpose", [attended], Attribute("perm", [0L, 2, 1, 3])), Ints(prefix + "attn.merged_shape", [0, steps, c.Width])]);
                x = Node("Add", [x, Projection(block.Attn.CProj, merged, prefix + "attn.c_proj.")]);
                var hidden = Node("Gelu", [Projection(block.Mlp.CFc, Norm(block.Ln2, x, prefix + "ln_2."), prefix + "mlp.c_fc.")], Attribute("approximate", "none"));
                x = Node("Add", [x, Projection(block.Mlp.CProj, hidden, prefix + "mlp.c_proj.")]);
            }

            return Node("MatMul", [Norm(gpt.LnF, x, "ln_f."), Initializer("wte.weight_t", gpt.Wte.Weight.T)]);
        }

        /// <summary>x·Wᵀ + b of a Linear on [batch, T, in].</summary>
        private string Projection(Linear linear, string x, string prefix)
        {
            var product = Node("MatMul", [x, Initializer(prefix + "weight_t", linear.Weight.T)]);
            return linear.Bias is null ? product : Node("Add", [product, Initializer(prefix + "bias", linear.Bias)]);
        }

        private string Norm(LayerNorm norm, string x, string prefix) =>
            Node("LayerNormalization", [x, Initializer(prefix + "weight", norm.Weight!), Initializer(prefix + "bias", norm.Bias!)], Attribute("axis", -1L), Attribute("epsilon", (float)norm.Eps));

        /// <summary>Entry <paramref name="index"/> of the first axis (the query, key or value heads).</summary>
        private string Part(string heads, long index, string name)
        {
            var scalar = new TensorProto { Name = name + "_index", DataType = (int)TensorProto.Types.DataType.Int64 };
            scalar.Int64Data.Add(index);
            graph.Initializer.Add(scalar);
            return Node("Gather", [heads, scalar.Name], Attribute("axis", 0L));
        }
    }
}
