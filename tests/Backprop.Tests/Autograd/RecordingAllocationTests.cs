namespace Backprop.Tests.Autograd;

/// <summary>
/// Recording the ops a training step runs every time allocates the node and its inputs array and nothing else: no
/// closure and no delegate per call (a closure and its delegate add 64 bytes or more beyond the state they hold,
/// which these budgets, 16 bytes over what was measured, leave no room for). Measured as the bytes an op allocates with a graph minus those it allocates without one.
/// </summary>
public class RecordingAllocationTests
{
    private static readonly Generator Seed = new(3);
    private static readonly Tensor Rows = Tensor.Randn([8, 6], Seed).SetRequiresGrad();
    private static readonly Tensor Bias = Tensor.Randn([6], Seed).SetRequiresGrad();
    private static readonly Tensor Square = Tensor.Randn([6, 6], Seed).SetRequiresGrad();
    private static readonly Tensor Images = Tensor.Randn([2, 3, 8, 8], Seed).SetRequiresGrad();
    private static readonly Tensor Filters = Tensor.Randn([4, 3, 3, 3], Seed).SetRequiresGrad();
    private static readonly Tensor Heads = Tensor.Randn([2, 2, 5, 4], Seed).SetRequiresGrad();
    private static readonly Tensor Classes = Tensor.FromArray(new long[] { 0, 5, 2, 1, 4, 3, 0, 1 });
    private static readonly Tensor Table = Tensor.Randn([10, 6], Seed).SetRequiresGrad();

    /// <summary>Each op, and the most it may allocate for its graph (as measured on .NET 10, plus 16 bytes).</summary>
    public static TheoryData<string, int> Ops => new()
    {
        { "Add", 144 },
        { "Mul", 144 },
        { "Relu", 152 },
        { "Gelu", 152 },
        { "MatMul", 152 },
        { "Linear", 160 },
        { "Reshape", 136 },
        { "Mean", 144 },
        { "Conv2d", 200 },
        { "MaxPool2d", 168 },
        { "Dropout", 136 },
        { "CrossEntropy", 200 },
        { "LayerNorm", 280 },
        { "Embedding", 184 },
        { "ScaledDotProductAttention", 264 },
    };

    private static Tensor Run(string op) => op switch
    {
        "Add" => Rows + Bias,
        "Mul" => Rows * Rows,
        "Relu" => Rows.Relu(),
        "Gelu" => Rows.Gelu(),
        "MatMul" => Rows.MatMul(Square),
        "Linear" => Tensor.Linear(Rows, Square, Bias),
        "Reshape" => Rows.Reshape(6, 8),
        "Mean" => Rows.Mean(),
        "Conv2d" => Tensor.Conv2d(Images, Filters, null),
        "MaxPool2d" => Tensor.MaxPool2d(Images, 2),
        "Dropout" => Tensor.Dropout(Rows, 0.5f, training: true, Seed),
        "CrossEntropy" => Tensor.CrossEntropy(Rows, Classes),
        "LayerNorm" => Tensor.LayerNorm(Rows, [6], Bias, Bias),
        "Embedding" => Tensor.Embedding(Classes, Table),
        "ScaledDotProductAttention" => Tensor.ScaledDotProductAttention(Heads, Heads, Heads, isCausal: true),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not an op of this test"),
    };

    private static long Allocated(string op, bool grad)
    {
        using var scope = Tensor.NewScope();
        using var mode = grad ? Tensor.EnableGrad() : Tensor.NoGrad();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(op);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void RecordingAHotOpAllocatesOnlyItsNode(string op, int budget)
    {
        // Warm up (JIT, static delegates, pooled storage), then take the least of a few runs of each.
        for (var i = 0; i < 3; i++)
        {
            Allocated(op, grad: true);
            Allocated(op, grad: false);
        }

        var graph = Enumerable.Range(0, 5).Min(_ => Allocated(op, grad: true) - Allocated(op, grad: false));
        Assert.True(graph > 0, $"{op} recorded nothing");
        Assert.True(graph <= budget, $"{op} allocated {graph} bytes for its graph, more than its budget of {budget}: a closure or delegate made per call?");
    }
}
