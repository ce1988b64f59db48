/**
 * Console routes. `access` names a flag from src/access.ts; the layout hides the menu entry and shows 403 when it is false.
 */
export default [
  { path: '/login', name: '登录', component: './login', layout: false },
  { path: '/', redirect: '/workbench' },
  { path: '/workbench', name: '工作台', icon: 'DashboardOutlined', component: './workbench' },
  {
    path: '/verifications',
    name: '企业认证审核',
    icon: 'AuditOutlined',
    access: 'canReviewVerifications',
    routes: [
      { path: '/verifications', component: './verifications' },
      { path: '/verifications/:id', name: '认证详情', component: './verifications/detail', hideInMenu: true },
    ],
  },
  {
    path: '/enterprises',
    name: '企业库',
    icon: 'BankOutlined',
    access: 'canSeeEnterprises',
    routes: [
      { path: '/enterprises', component: './enterprises' },
      { path: '/enterprises/:id', name: '企业详情', component: './enterprises/detail', hideInMenu: true },
    ],
  },
  {
    path: '/platform',
    name: '平台管理',
    icon: 'SettingOutlined',
    access: 'canAdminPlatform',
    routes: [
      { path: '/platform', redirect: '/platform/organisations' },
      { path: '/platform/organisations', name: '机构管理', component: './organisations', access: 'canAdminPlatform' },
      { path: '/platform/users', name: '用户管理', component: './admin-users', access: 'canAdminPlatform' },
      { path: '/platform/audit-logs', name: '审计日志', component: './audit-logs', access: 'canSeeAudit' },
      { path: '/platform/jobs', name: '任务队列', component: './jobs', access: 'canSeeJobs' },
      { path: '/platform/calendar', name: '节假日日历', component: './calendar', access: 'canManageCalendar' },
      { path: '/platform/access-log', name: '数据访问日志', component: './access-log', access: 'canSeeAccessLog' },
      // The server's workbench card links here.
      { path: '/platform/audit', redirect: '/platform/audit-logs' },
    ],
  },
  {
    path: '/data',
    name: '数据汇聚',
    icon: 'DatabaseOutlined',
    // Everyone who may see a page below may import; the children narrow it further.
    access: 'canImportData',
    routes: [
      { path: '/data', redirect: '/data/imports' },
      { path: '/data/sources', name: '数据源管理', component: './data-sources', access: 'canManageDataSources' },
      { path: '/data/imports', name: '数据导入', component: './imports', access: 'canImportData' },
      { path: '/data/quality', name: '数据质量', component: './data-quality', access: 'canManageDataSources' },
    ],
  },
  {
    path: '/credit',
    name: '信用服务',
    icon: 'SafetyCertificateOutlined',
    // Every console user has 异议处理; the children narrow it further.
    access: 'canSeeDisputes',
    routes: [
      // Disputes, not warnings: every user who sees this group may open it.
      { path: '/credit', redirect: '/credit/disputes' },
      { path: '/credit/warnings', name: '风险预警', component: './credit/warnings', access: 'canSeeWarnings' },
      { path: '/credit/disputes', name: '异议处理', component: './credit/disputes', access: 'canSeeDisputes' },
      { path: '/credit/scorecards', name: '评分卡管理', component: './credit/scorecards', access: 'canManageScorecards' },
    ],
  },
  {
    path: '/finance',
    name: '融资对接',
    icon: 'FundOutlined',
    // Everyone who sees a page below (agencies see only applications); the children narrow it further.
    access: 'canSeeFinance',
    routes: [
      // Applications, not products: every user who sees this group may open them.
      { path: '/finance', redirect: '/finance/applications' },
      { path: '/finance/products', name: '金融产品', component: './products', access: 'canSeeProducts' },
      { path: '/finance/products/:id', name: '产品详情', component: './products/detail', hideInMenu: true, access: 'canSeeProducts' },
      { path: '/finance/needs', name: '融资需求', component: './needs', access: 'canSeeNeeds' },
      { path: '/finance/needs/:id', name: '需求复核', component: './needs/detail', hideInMenu: true, access: 'canSeeNeeds' },
      { path: '/finance/applications', name: '融资申请', component: './applications', access: 'canSeeApplications' },
      {
        path: '/finance/applications/:id',
        name: '申请详情',
        component: './applications/detail',
        hideInMenu: true,
        access: 'canSeeApplications',
      },
      { path: '/finance/loans', name: '贷款管理', component: './loans', access: 'canSeeLoans' },
    ],
  },
  { path: '/api-clients', name: '系统对接', icon: 'ApiOutlined', access: 'canManageApiClients', component: './api-clients' },
  { path: '/messages', name: '消息中心', icon: 'BellOutlined', component: './messages' },
  {
    path: '/account',
    name: '个人设置',
    icon: 'UserOutlined',
    routes: [
      { path: '/account', redirect: '/account/security' },
      { path: '/account/security', name: '安全设置', component: './account/security' },
      { path: '/account/sessions', name: '登录设备', component: './account/sessions' },
    ],
  },
  { path: '*', component: './404' },
];
