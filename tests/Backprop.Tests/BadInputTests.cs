namespace Backprop.Tests;

/// <summary>Each class of mistake gets an ArgumentException naming the operation and the shapes or values.</summary>
public class BadInputTests
{
    private static void AssertMessage<TException>(Action action, params string[] fragments)
        where TException : Exception
    {
        var ex = Assert.ThrowsAny<TException>(action);
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void MatMulInnerDimensionsDiffer() =>
        AssertMessage<ArgumentException>(() => Tensor.Ones(4, 3).MatMul(Tensor.Ones(5, 2)), "MatMul: [4,3] x [5,2]: inner dimensions 3 and 5 differ");

    [Fact]
    public void BroadcastShapesDiffer() =>
        AssertMessage<ArgumentException>(() => _ = Tensor.Ones(2, 3) + Tensor.Ones(4), "Add", "[2,3]", "[4]");

    [Fact]
    public void ReshapeToTheWrongCount()
    {
        AssertMessage<ArgumentException>(() => Tensor.Ones(2, 3).Reshape(4, 2), "Reshape", "[2,3]", "[4,2]");
        AssertMessage<ArgumentException>(() => Tensor.Ones(2, 3).Reshape(-1, -1), "Reshape", "-1");
        AssertMessage<ArgumentException>(() => Tensor.Ones(2, 3).Reshape(4, -1), "Reshape", "infer");
    }

    [Fact]
    public void DimensionOutOfRange()
    {
        AssertMessage<ArgumentException>(() => Tensor.Ones(2, 3).Sum(2), "Sum", "dimension 2", "rank 2");
        AssertMessage<ArgumentException>(() => Tensor.Ones(2, 3).Softmax(-3), "Softmax", "dimension -3");
        AssertMessage<ArgumentException>(() => Tensor.Ones(2, 3).Permute(0, 0), "Permute", "twice");
    }

    [Fact]
    public void DataDoesNotFitTheShape()
    {
        AssertMessage<ArgumentException>(() => Tensor.FromArray([1f, 2f, 3f], 2, 2), "FromArray", "[2,2]", "3 were given");
        AssertMessage<ArgumentException>(() => Tensor.Zeros(2, -1), "Zeros", "negative");
    }

    [Fact]
    public void ConcatenatingMismatchedShapes()
    {
        AssertMessage<ArgumentException>(() => Tensor.Cat([Tensor.Ones(2, 3), Tensor.Ones(3, 2)], 0), "Cat", "[2,3]", "[3,2]");
        AssertMessage<ArgumentException>(() => Tensor.Stack([Tensor.Ones(2), Tensor.Ones(3)]), "Stack", "[3]");
    }

    [Fact]
    public void IndicesOutOfRange()
    {
        AssertMessage<ArgumentException>(() => Tensor.Ones(2, 3).Gather(1, Tensor.FromArray([3L, 0], 2, 1)), "Gather", "3", "[2,3]");
        AssertMessage<ArgumentException>(() => Tensor.Ones(2, 3).IndexSelect(0, [2]), "IndexSelect", "index 2");
        AssertMessage<ArgumentException>(() => Tensor.Ones(2, 3).Narrow(1, 2, 2), "Narrow", "size 3");
        AssertMessage<ArgumentException>(() => _ = Tensor.Ones(2, 3)[2, 0], "Indexer", "index 2");
        AssertMessage<ArgumentException>(() => _ = Tensor.Ones(2, 3)[0], "Indexer", "1 indices", "[2,3]");
    }

    [Fact]
    public void BadValues()
    {
        AssertMessage<ArgumentException>(() => Tensor.Ones(2).Clamp(1f, 0f), "Clamp", "min 1");
        AssertMessage<ArgumentException>(() => Tensor.Arange(0f, 1f, 0f), "Arange", "step");
        AssertMessage<ArgumentException>(() => Tensor.Uniform([2], 1f, 0f), "Uniform");
    }

    [Fact]
    public void BackwardGradientOfTheWrongShape()
    {
        var y = Tensor.Ones(2, 2).SetRequiresGrad() * 2f;
        AssertMessage<ArgumentException>(() => y.Backward(Tensor.Ones(4)), "Backward", "[4]", "[2,2]");
    }

    [Fact]
    public void ItemOfAManyElementTensor() =>
        AssertMessage<InvalidOperationException>(() => Tensor.Ones(2, 3).Item(), "Item", "[2,3]");
}
