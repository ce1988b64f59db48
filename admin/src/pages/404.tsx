import { history } from '@umijs/max';
import { Button, Result } from 'antd';

export default function NotFoundPage() {
  return (
    <Result
      status="404"
      title={<span data-testid="page-title">页面不存在</span>}
      subTitle="您访问的页面不存在。"
      extra={
        <Button type="primary" onClick={() => history.push('/workbench')}>
          返回工作台
        </Button>
      }
    />
  );
}
